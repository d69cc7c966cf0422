"""Which waiting ticket a counter calls next, and how long a new ticket will wait."""
