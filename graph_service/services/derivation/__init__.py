"""Derived data: the CONSTRUCT rule runner (``rules``) and the feedback of real
step outcomes into the rules (``feedback``)."""
