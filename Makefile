.PHONY: demo test bench

# Bring Presales up on the embedded SQLite database with the demo data; prints a login.
demo:
	./scripts/bootstrap
	.venv/bin/presales demo

# Run the whole test suite (SQLite, and PostgreSQL when PRESALES_TEST_POSTGRES_URL is set).
test:
	./scripts/test

bench:
	./scripts/bootstrap --dev
	.venv/bin/python benchmarks/pages.py
