# The nightly workflow's steps (.github/workflows/nightly.yml), one target each (the Makefile's
# venv, setup, check-registries and site besides); the workflow only calls these, and `make
# rehearse-nightly` (.ci/rehearse-nightly) runs them in the same order at small scale on this
# machine. Included by the Makefile.
#
# Variables (the workflow passes them on the command line or in the environment):
#   TOOLCHAINS      the images' toolchains (`harness setup --toolchains`; empty: the default)
#   SHARD           a shard's name: it writes $(NIGHT_DIR)/reports-$(SHARD)/results.json
#   SHARD_ARGS      what the shard's pytest runs
#   TONIGHT         the night's date, the name of its file on the results branch
#   PREVIOUS        the previous night's results file (printed by previous-night)
#   RESULTS_REMOTE  the repository whose `results` branch keeps one results file a night
#   NIGHT_DIR       where all of it lives (the workflow: the checkout; the rehearsal: a folder)

SHELL := /bin/bash
NIGHT_DIR ?= .
TOOLCHAINS ?=
SHARD ?=
SHARD_ARGS ?=
TONIGHT ?= $(shell date -u +%F)
PREVIOUS ?=
export RESULTS_REMOTE

IMAGE_TAGS := $(NIGHT_DIR)/image-tags.txt
IMAGES_TAR := $(NIGHT_DIR)/images.tar.zst
NIGHT_REPORTS := $(NIGHT_DIR)/reports
MERGED := $(NIGHT_REPORTS)/results.json
BRANCH := $(NIGHT_DIR)/results-branch
NIGHTS := $(BRANCH)/nights
HARNESS := $(BIN)/python -m harness

.PHONY: image-tags save-images load-images check-images shard merge results-branch \
  previous-night diff add-night history report push-night summary rehearse-nightly

# The images' tags, one a line, into $(IMAGE_TAGS); prints the cache key they make
# (`key=images-...`, for $GITHUB_OUTPUT). A tag is a hash of its image's recipe.
image-tags: venv
	@$(HARNESS) setup --print-tags --toolchains "$(TOOLCHAINS)" > $(IMAGE_TAGS)
	@cat $(IMAGE_TAGS) >&2
	@echo "key=images-$$(sha256sum $(IMAGE_TAGS) | cut -c1-16)"

# The images of $(IMAGE_TAGS) into one tarball, and back (a failing `docker save` fails its pipe).
save-images:
	set -o pipefail; docker save $$(cat $(IMAGE_TAGS)) | zstd -T0 -q -f -o $(IMAGES_TAR)
	ls -l $(IMAGES_TAR)

load-images:
	set -o pipefail; zstd -dc $(IMAGES_TAR) | docker load
	rm $(IMAGES_TAR)

# Every image the toolchains need is loaded: `harness setup` would build a missing one.
check-images: venv
	@for tag in $$($(HARNESS) setup --print-tags --toolchains "$(TOOLCHAINS)"); do \
	  docker image inspect "$$tag" > /dev/null || { echo "error: $$tag is not loaded" >&2; exit 1; }; \
	  echo "$$tag is loaded"; \
	done

# One shard of the matrix. A failing cell fails it; its results are written all the same.
shard: venv
	@test -n "$(SHARD)" || { echo "error: make shard needs SHARD=NAME" >&2; exit 2; }
	$(BIN)/pytest $(SHARD_ARGS) --results-dir $(NIGHT_DIR)/reports-$(SHARD)

# The shards' results (downloaded to $(NIGHT_DIR)/shards/<artifact>/results.json), merged.
merge: venv
	mkdir -p $(NIGHT_REPORTS)
	$(HARNESS) merge $(NIGHT_DIR)/shards/*/results.json -o $(MERGED)

# The results branch checked out into $(BRANCH) (started when it does not exist yet);
# prints `tonight=DATE` (for $GITHUB_OUTPUT), so that every later step names the same night.
results-branch:
	@.ci/results-branch fetch $(BRANCH)
	@echo "tonight=$(TONIGHT)"

# Prints `path=FILE`, the newest night before tonight on the branch, or nothing.
previous-night:
	@.ci/results-branch previous $(BRANCH) $(TONIGHT)

# Tonight against the previous night: writes diff.md; exit 1 on a regression.
diff: venv
	@test -n "$(PREVIOUS)" || { echo "error: make diff needs PREVIOUS=FILE" >&2; exit 2; }
	$(HARNESS) diff $(PREVIOUS) $(MERGED) -o $(NIGHT_REPORTS)

# Tonight's results as a night of the history (gzip -n: a rerun with the same results changes nothing).
add-night:
	mkdir -p $(NIGHTS)
	gzip -9 -n -c $(MERGED) > $(NIGHTS)/$(TONIGHT).json.gz

# Each night's summary is kept beside it, and pushed with it, so tomorrow's history reads summaries.
history: venv
	$(HARNESS) history $(NIGHTS) -o $(NIGHT_REPORTS)/history --keep-summaries

# The reports of tonight (the dossiers cite the history).
report: venv
	$(HARNESS) report $(MERGED) -o $(NIGHT_REPORTS) --history $(NIGHTS)

push-night:
	@.ci/results-branch push $(BRANCH) $(TONIGHT)

# The pages of tonight that exist, for $GITHUB_STEP_SUMMARY.
summary:
	@for page in $(NIGHT_REPORTS)/matrix.md $(NIGHT_REPORTS)/diff.md $(NIGHT_REPORTS)/history/history.md; do \
	  if [ -f "$$page" ]; then cat "$$page"; fi; \
	done

# All of the above, in the workflow's order, at small scale (minutes), into .rehearsal/.
rehearse-nightly: venv
	.ci/rehearse-nightly
