"""LED running text: the latest call, then the admin's announcements, scrolling."""
