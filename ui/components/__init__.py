"""Small pieces of console layout shared by pages."""
