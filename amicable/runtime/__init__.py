"""Setting up and starting the whole stack: environments, model, processes."""
