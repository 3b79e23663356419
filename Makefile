# Two commands do all the set-up on a fresh Debian 12 machine: `make run` and `make test`.
# The package managers' Python bindings (rpm, solv, gi/modulemd, dnf, apt_pkg) exist only as
# Debian packages for the system Python, so the virtual environment is made from
# /usr/bin/python3 with --system-site-packages.

# g++ compiles the C++ standard library's std::sort that tests/test_stdsort.py compares apt's port with.
SYSTEM_PACKAGES := make python3-venv python3-pip apt python3-apt rpm python3-rpm dnf zypper createrepo-c \
	python3-createrepo-c libmodulemd-tools gir1.2-modulemd-2.0 python3-gi python3-solv \
	libsolv-tools apt-utils dpkg-dev dose-distcheck graphviz gnupg g++
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
VENV := .venv
STAMP := $(VENV)/.installed

.PHONY: system run test install-check conformance peers lint bench clean

system:
	@missing=$$(for p in $(SYSTEM_PACKAGES); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed$$' \
		|| echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing system packages:" $$missing; \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing >/dev/null; \
	fi

$(STAMP): pyproject.toml | system
	/usr/bin/python3 -m venv --system-site-packages $(VENV)
	$(VENV)/bin/pip install -q --disable-pip-version-check -e '.[dev]'
	touch $@

run: $(STAMP)
	$(VENV)/bin/repogen validate repogen/data/releases/cuda-12.6.yaml
	$(VENV)/bin/repogen build repogen/data/releases/cuda-12.6.yaml -o out
	$(VENV)/bin/repogen check repogen/data/releases/cuda-12.6.yaml
	$(VENV)/bin/repogen check repogen/data/releases/cuda-12.5.yaml

lint: $(STAMP)
	$(VENV)/bin/ruff check repogen tests
	$(VENV)/bin/ruff format --check repogen tests
	$(VENV)/bin/mypy repogen

test: lint
	$(VENV)/bin/pytest

# repogen as a user installs it: the wheel, built from a copy of the sources (setuptools builds
# in-tree), installed with its dependencies from the index into a fresh virtual environment
# outside the checkout (system Python, --system-site-packages for the bindings), then the
# bundled release validated and checked from another directory.
install-check: $(STAMP)
	@set -e; work=$$(mktemp -d); trap 'rm -rf "$$work"' EXIT; \
	mkdir "$$work/source"; \
	tar --exclude=__pycache__ -cf - pyproject.toml README.md repogen | tar -xf - -C "$$work/source"; \
	$(VENV)/bin/pip wheel -q --no-deps --no-build-isolation -w "$$work/wheels" "$$work/source"; \
	/usr/bin/python3 -m venv --system-site-packages "$$work/venv"; \
	"$$work/venv/bin/pip" install -q "$$work"/wheels/repogen-*.whl; \
	cd "$$work"; \
	"$$work/venv/bin/repogen" validate; \
	"$$work/venv/bin/repogen" check; \
	echo "install-check: the installed wheel validates and checks the bundled release"

# The conformance suite with a longer differential run against the real apt-get, dnf and
# zypper: make conformance [EXAMPLES=2000] (examples per family; `make test` runs 200).
EXAMPLES := 2000
conformance: $(STAMP)
	REPOGEN_DIFFERENTIAL_EXAMPLES=$(EXAMPLES) $(VENV)/bin/pytest -rP \
		tests/test_conformance.py tests/test_differential.py tests/test_host_state.py

# The peer scenarios (README "Peer scenarios"): apt's and libsolv's own test scenarios as
# resolver cases, answered in-process and by the real apt-get, zypper and dnf, then their figures.
# `make test` runs the same cases; this target runs them alone and reports.
peers: $(STAMP)
	$(VENV)/bin/pytest -q tests/test_peer_cases.py
	$(VENV)/bin/python -m tests.peers summary

# Benchmarks (bench/RESULTS.md): make bench [SIZES=1000,10000] [RUNS=5] [WORKLOADS=build,check]
# [CHANNEL=RELEASES,PACKAGES,NEW] [WORK=/some/dir]; prints one table.  Not part of `make test`.
SIZES := 1000,10000,50000
RUNS := 5
WORKLOADS := startup,build,check,scale,diff,channel
CHANNEL := 100,50000,1000
bench: $(STAMP)
	$(VENV)/bin/python -m bench --sizes $(SIZES) --runs $(RUNS) --workloads $(WORKLOADS) \
		--channel $(CHANNEL) $(if $(WORK),--work $(WORK))

clean:
	rm -rf $(VENV) out .pytest_cache .mypy_cache .ruff_cache
