// Booking service
