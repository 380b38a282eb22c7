"""Planning answers: outlook, queue risk and siting read from the store."""
