"""The call display (TV + speaker) and its Indonesian voice announcements."""
