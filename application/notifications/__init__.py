"""Notifications by e-mail: the SMTP settings and sending, who reads which address, each person's opt-outs."""
