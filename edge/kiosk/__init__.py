"""The ticket kiosk: touch screens, thermal printing, booking check-in, printer health."""
