"""The site catalogue: agencies, services, counters, hours and queue rules of one MPP."""
