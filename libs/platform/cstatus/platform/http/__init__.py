"""HTTP building blocks shared by the services' FastAPI apps."""
