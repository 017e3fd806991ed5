#!/bin/sh
# Seeds the fuzz corpora from the test messages (run from fuzz/).
set -e
mkdir -p corpus/sip_parse corpus/sdp_parse
cp ../tests/testdata/rfc4475/*.dat corpus/sip_parse/
cp ../shared/tests/fixtures/*.sip corpus/sip_parse/
cp ../shared/tests/fixtures/*.sdp corpus/sdp_parse/
cp ../shared/tests/fixtures/regressions/*.sip corpus/sip_parse/ 2>/dev/null || true
