"""Goals: the one application over the log, and the commands, checks and reads around a goal."""
