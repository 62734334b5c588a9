# The book's two commands (see README.md):
#   make book   install what is needed, then build the site strictly (warnings are errors)
#   make test   install what is needed, then run the whole test suite
PYTHON ?= python3
# jupyter-book's CLI, called through the interpreter so a fresh PATH needs no rehash
JUPYTER_BOOK = $(PYTHON) -c "from jupyter_book.cli.main import main; main()"

.PHONY: install book test references portability mutations browser clean

install:
	$(PYTHON) -m pip install --quiet --disable-pip-version-check -r requirements.txt

book: install
	$(JUPYTER_BOOK) build . -W -n --keep-going

# The browser tests need Chromium; as root on Debian it is installed here.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "note: no chromium; the browser tests will be skipped (install Debian's chromium)"; fi; }

test: book browser
	$(PYTHON) -m pytest

# Regenerate the nbval reference notebooks after an intended change.
references: install
	$(PYTHON) tests/drift/chapters.py

# The drift check under kernel variants standing in for other processors
# (add ARGS=--full for the whole product, ARGS=--record to update README.md).
portability: install
	$(PYTHON) tests/drift/portability.py $(ARGS)

# Plant known bugs in src/mlpbook (in temporary copies) and check that the tests catch
# each one (ARGS=--list to see them, ARGS="no-shuffle he-gain-one" to run a few).
mutations: install
	$(PYTHON) tests/drift/mutations.py $(ARGS)

clean:
	rm -rf _build
