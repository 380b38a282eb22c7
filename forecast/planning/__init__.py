"""Planning: AI-demand growth and scenarios, monthly outlook, queue survival, queue risk, siting."""
