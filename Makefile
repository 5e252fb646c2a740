# The two commands: `make demo` runs a simulated building, `make test` runs every test.
# Each target installs what it needs when it is missing, so both work on a fresh clone.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# Commands the tests run, each with the Debian package that provides it.
SYSTEM_TOOLS := git:git capnp:capnproto mosquitto:mosquitto socat:socat arecord:alsa-utils aplay:alsa-utils sfdisk:fdisk mkfs.vfat:dosfstools mcopy:mtools mke2fs:e2fsprogs debugfs:e2fsprogs
NPM_STAMP := node_modules/.osmose-installed
CLI := dist/cli/main.js
SOURCES := $(shell find cli lib boards drivers builder image ota kernel-js userland bench -name '*.ts' -not -name '*.test.ts' -not -path '*/assembly/*' 2>/dev/null)

.PHONY: help demo test check bench build system-tools clean

help:
	@echo "make demo    run a simulated building (creates it in demo-building/)"
	@echo "make test    run every test"
	@echo "make check   type-check, lint, and check layers and import cycles"
	@echo "make bench   run the benchmarks"

system-tools:
	@missing=""; for entry in $(SYSTEM_TOOLS); do \
	  command -v $${entry%%:*} >/dev/null || case " $$missing " in *" $${entry#*:} "*) ;; *) missing="$$missing $${entry#*:}";; esac; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

$(NPM_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

$(CLI): $(NPM_STAMP) $(SOURCES) tsconfig.json tsconfig.build.json
	npm run -s build
	@touch $@

build: $(CLI)

# The demo passphrase protects a throwaway building's root key; never use it for a real one.
DEMO_DIR := demo-building
OSMOSE := node dist/cli/main.js

demo: system-tools $(CLI)
	rm -rf $(DEMO_DIR)
	OSMOSE_ROOT_PASSPHRASE=demo-only $(OSMOSE) init $(DEMO_DIR) --template coworking --name "Coworking space (demo)"
	$(OSMOSE) -C $(DEMO_DIR) validate
	$(OSMOSE) -C $(DEMO_DIR) topology
	$(OSMOSE) -C $(DEMO_DIR) plan
	$(OSMOSE) -C $(DEMO_DIR) build
	$(OSMOSE) -C $(DEMO_DIR) build
	$(OSMOSE) -C $(DEMO_DIR) ledger log
	$(OSMOSE) -C $(DEMO_DIR) ledger show meeting-1-door
	$(OSMOSE) -C $(DEMO_DIR) keys list
	git -C $(DEMO_DIR) log --oneline main refs/osmose/builds
	@# A board's flashable image, flashed to a file standing in for its SD card, booted from there.
	$(OSMOSE) -C $(DEMO_DIR) image meeting-1-door --out meeting-1-door.img
	$(OSMOSE) -C $(DEMO_DIR) flash meeting-1-door.img --to sd-card.img
	$(OSMOSE) -C $(DEMO_DIR) boot sd-card.img --once
	@# The simulated building: every sim board booted in one process under its update agent, with
	@# the building's gateway (--listen), driven from this shell; then a rolling upgrade of it.
	@set -e; $(OSMOSE) -C $(DEMO_DIR) sim --listen 127.0.0.1:0 --heartbeat 200 > $(DEMO_DIR)/.osmose/demo-sim.log 2>&1 & sim=$$!; \
	  trap 'kill -INT $$sim 2>/dev/null || true' EXIT; \
	  for i in $$(seq 1 600); do $(OSMOSE) -C $(DEMO_DIR) sim boards > /dev/null 2>&1 && break; kill -0 $$sim 2>/dev/null || { cat $(DEMO_DIR)/.osmose/demo-sim.log; exit 1; }; sleep 0.1; done; \
	  set -x; \
	  $(OSMOSE) -C $(DEMO_DIR) sim boards; \
	  $(OSMOSE) -C $(DEMO_DIR) sim get meeting-1-door.lamp; \
	  $(OSMOSE) -C $(DEMO_DIR) sim press meeting-1-door.button; \
	  $(OSMOSE) -C $(DEMO_DIR) sim get meeting-1-door.lamp; \
	  $(OSMOSE) -C $(DEMO_DIR) sim press meeting-1-door.button; \
	  $(OSMOSE) -C $(DEMO_DIR) sim get meeting-1-door.lamp; \
	  $(OSMOSE) -C $(DEMO_DIR) sim get booth-ceiling.lamp; \
	  $(OSMOSE) -C $(DEMO_DIR) sim press booth-door.button; \
	  $(OSMOSE) -C $(DEMO_DIR) sim get booth-ceiling.lamp; \
	  $(OSMOSE) -C $(DEMO_DIR) sim boards | grep -A1 '^booth'; \
	  $(OSMOSE) -C $(DEMO_DIR) sim display meeting-1-wall.screen --out sim-meeting-1-wall.png; \
	  $(OSMOSE) -C $(DEMO_DIR) status; \
	  sed -i 's/if (status == Status.Ok) lit = !lit;/if (status == Status.Ok) { lit = !lit; log.info(lit ? "lamp on" : "lamp off"); }/; s/import { EventKind, Status, gpio } from "osmose";/import { EventKind, Status, gpio, log } from "osmose";/' $(DEMO_DIR)/apps/lights/assembly/index.ts; \
	  $(OSMOSE) -C $(DEMO_DIR) build; \
	  $(OSMOSE) -C $(DEMO_DIR) rollout --waves 1,25%,100% --max-failures 0; \
	  $(OSMOSE) -C $(DEMO_DIR) status; \
	  $(OSMOSE) -C $(DEMO_DIR) ledger rollouts; \
	  $(OSMOSE) -C $(DEMO_DIR) sim press meeting-1-door.button; \
	  $(OSMOSE) -C $(DEMO_DIR) sim get meeting-1-door.lamp; \
	  set +x; kill -INT $$sim; wait $$sim; trap - EXIT; \
	  echo "--- osmose sim --listen printed:"; cat $(DEMO_DIR)/.osmose/demo-sim.log

test: system-tools $(CLI) check
	npx vitest run

check: $(NPM_STAMP)
	npm run -s typecheck
	npm run -s lint
	npm run -s depcheck

bench: system-tools $(CLI)
	node dist/bench/run.js

clean:
	rm -rf dist node_modules test-output $(DEMO_DIR)
