"""Signed (HMAC) callbacks to a URL per API token when a submission is graded."""
