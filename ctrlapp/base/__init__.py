"""base package."""
