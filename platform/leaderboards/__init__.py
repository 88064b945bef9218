"""Leaderboards per challenge and device class, and the global board (read side only)."""
