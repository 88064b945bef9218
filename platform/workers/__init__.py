"""Grading workers that announce themselves: device class, GPU model, free slots (heartbeat)."""
