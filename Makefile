# The two commands: `make demo` runs a simulated building, `make test` runs every test.
# Each target installs what it needs when it is missing, so both work on a fresh clone.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# Commands the tests run, each with the Debian package that provides it.
SYSTEM_TOOLS := git:git capnp:capnproto mosquitto:mosquitto socat:socat arecord:alsa-utils aplay:alsa-utils sfdisk:fdisk mkfs.vfat:dosfstools mcopy:mtools mke2fs:e2fsprogs debugfs:e2fsprogs chromium:chromium
NPM_STAMP := node_modules/.osmose-installed
CLI := dist/cli/main.js
SOURCES := $(shell find cli lib boards drivers builder image ota kernel-js userland bench -name '*.ts' -not -name '*.test.ts' -not -path '*/assembly/*' 2>/dev/null)

.PHONY: help demo test check bench build system-tools clean

help:
	@echo "make demo    run the scenario in a simulated building (made afresh in $(DEMO_DIR))"
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

$(CLI): $(NPM_STAMP) $(SOURCES) $(shell find ota/dashboard/client -type f 2>/dev/null) tsconfig.json tsconfig.build.json
	npm run -s build
	@touch $@

build: $(CLI)

# The demo passphrase protects a throwaway building's root key; never use it for a real one.
# The building is made afresh in a temporary directory each time (DEMO_DIR=... to keep it elsewhere).
DEMO_DIR ?= $(or $(TMPDIR),/tmp)/osmose-demo
# Where the demo's gateway serves the dashboard while the scenario runs (a free port by default).
DEMO_DASHBOARD ?= 127.0.0.1:0
OSMOSE := node $(CURDIR)/$(CLI)

demo: system-tools $(CLI)
	rm -rf $(DEMO_DIR)
	OSMOSE_ROOT_PASSPHRASE=demo-only $(OSMOSE) init $(DEMO_DIR) --template coworking --name "Coworking space (demo)"
	$(OSMOSE) -C $(DEMO_DIR) validate
	$(OSMOSE) -C $(DEMO_DIR) topology
	$(OSMOSE) -C $(DEMO_DIR) plan
	$(OSMOSE) -C $(DEMO_DIR) build
	$(OSMOSE) -C $(DEMO_DIR) build
	$(OSMOSE) -C $(DEMO_DIR) ledger log
	$(OSMOSE) -C $(DEMO_DIR) keys list
	@# A board's flashable image, flashed to a file standing in for its SD card, booted from there.
	cd $(DEMO_DIR) && $(OSMOSE) image meeting-1-door --out meeting-1-door.img
	cd $(DEMO_DIR) && $(OSMOSE) flash meeting-1-door.img --to sd-card.img
	cd $(DEMO_DIR) && $(OSMOSE) boot sd-card.img --once
	@# The paper's scenario in the simulated building: every board booted in one process under
	@# its update agent, with the building's gateway (--listen), driven from this shell.
	@set -e; cd $(DEMO_DIR); O="$(OSMOSE)"; \
	  osmose() { printf '\n$$ osmose %s\n' "$$*" >&2; $$O "$$@"; }; \
	  badge() { line=$$(osmose sim badge "$$@"); printf '%s\n' "$$line" >&2; echo "$${line%% *}"; }; \
	  say() { printf '\n== %s\n' "$$*" >&2; $$O sim note "$$*"; }; \
	  $$O sim --listen 127.0.0.1:0 --dashboard $(DEMO_DASHBOARD) --heartbeat 200 > .osmose/demo-sim.log 2>&1 & sim=$$!; \
	  trap 'kill -INT $$sim 2>/dev/null || true' EXIT; \
	  for i in $$(seq 1 600); do $$O sim boards > /dev/null 2>&1 && break; kill -0 $$sim 2>/dev/null || { cat .osmose/demo-sim.log; exit 1; }; sleep 0.1; done; \
	  osmose sim boards | cut -c1-150; \
	  grep -m1 '^dashboard on' .osmose/demo-sim.log >&2 || true; \
	  say "Alice, Bob and Carol show their badges at the entrance: each gets a pseudonym and a key pair; meeting-1 expects them"; \
	  for i in $$(seq 1 300); do $$O status 2>/dev/null | grep -Eq '^entrance-door +online' && break; sleep 0.1; done; \
	  alice=$$(badge entrance-door 1001 --to meeting-1 --prefer temperature=22.5); \
	  bob=$$(badge entrance-door 1002 --to meeting-1); \
	  carol=$$(badge entrance-door 1003 --to meeting-1); \
	  say "Meeting-1 is ready before anyone reaches it: lights on, heating at Alice's 22.5 °C"; \
	  osmose sim get meeting-1-door.lamp; osmose sim get meeting-1-heating.heater; \
	  say "They walk down the corridor (its speakers guide each to meeting-1) and into the room"; \
	  for p in $$alice $$bob $$carol; do osmose people move $$p corridor; done; \
	  for p in $$alice $$bob $$carol; do osmose people move $$p meeting-1; done; \
	  say "The meeting: each speaks at their seat; the ceiling array streams to the recorder by the table's enclave"; \
	  osmose sim talk meeting-1-ceiling.mic --channel 1 --seconds 0.6; \
	  osmose sim talk meeting-1-ceiling.mic --channel 2 --seconds 0.6; \
	  osmose sim talk meeting-1-ceiling.mic --channel 3 --seconds 0.6; \
	  say "Carol leaves for the open space: recording pauses, the key epoch ends, Alice and Bob go on under a new key"; \
	  osmose people move $$carol open-space; \
	  osmose sim talk meeting-1-ceiling.mic --channel 1 --seconds 0.6; \
	  osmose sim talk meeting-1-ceiling.mic --channel 2 --seconds 0.6; \
	  say "The meeting ends: everyone leaves the building"; \
	  for p in $$alice $$bob $$carol; do osmose people leave $$p; done; \
	  sleep 0.3; osmose sim get meeting-1-door.lamp; \
	  say "The recordings, one line a key epoch, each readable only by those present"; \
	  osmose records; \
	  all3=$$($$O records | grep -F "$$alice, $$bob, $$carol " | grep -v ' 0\.0 s' | cut -d' ' -f1 | head -1); \
	  after=$$($$O records | grep -F "for $$alice, $$bob " | grep -v ' 0\.0 s' | cut -d' ' -f1 | head -1); \
	  osmose records open $$all3 --as $$alice --badge 1001 --out meeting.wav; \
	  osmose records open $$all3 --as $$carol --badge 1003; \
	  osmose records open $$after --as $$carol --badge 1003 || echo "(refused, as it must be: Carol had left)"; \
	  say "A rolling upgrade of the lights app, in waves, each gated on the boards' health"; \
	  sed -i 's/if (status == Status.Ok) lit = !lit;/if (status == Status.Ok) { lit = !lit; log.info(lit ? "lamp on" : "lamp off"); }/; s/import { EventKind, Status, gpio, presence } from "osmose";/import { EventKind, Status, gpio, log, presence } from "osmose";/' apps/lights/assembly/index.ts; \
	  osmose build; \
	  osmose rollout --waves 1,25%,100% --max-failures 0; \
	  osmose status | head -8; \
	  say "Buttons still work after the upgrade: one on the same board as its lamp, one across a circuit"; \
	  osmose sim press meeting-1-door.button; osmose sim get meeting-1-door.lamp; \
	  osmose sim press booth-door.button; osmose sim get booth-ceiling.lamp; \
	  say "Carol asks to be forgotten"; \
	  osmose erase $$carol; \
	  osmose records; \
	  osmose records open $$all3 --as $$alice --badge 1001; \
	  osmose sim timeline; \
	  kill -INT $$sim; wait $$sim; trap - EXIT; \
	  echo "(the simulator's own log is in $(DEMO_DIR)/.osmose/demo-sim.log)"

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
