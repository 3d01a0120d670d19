"""The demo data set: ``generate_demo`` fills an empty database with a realistic SE org."""
