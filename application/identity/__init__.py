"""Who a signed-in caller is: the person an identity provider's claim names, and the roles the directory grants."""
