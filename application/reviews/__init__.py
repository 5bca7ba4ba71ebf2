"""Reviews: the manager's decision and the steps around it, and their history."""
