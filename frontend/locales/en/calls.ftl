# The call log (filters, table, call quality, recordings) and the recordings zip.

## The call log page
calls-log-title = Calls
calls-log-loading = Loading calls…
calls-log-download-csv = Download CSV
calls-log-filter-from = From
calls-log-filter-to = To
calls-log-filter-way = Way
calls-log-filter-status = Status
calls-log-filter-user = User
calls-log-filter-everyone = Everyone
calls-log-filter-any-way = Any way
calls-log-filter-in = In
calls-log-filter-out = Out
calls-log-filter-any-status = Any status
calls-log-filter-answered = Answered
calls-log-filter-missed = Missed
calls-log-filter-no-answer = No answer
calls-log-filter-busy = Busy
calls-log-filter-failed = Failed
calls-log-filter-cancelled = Cancelled
calls-log-filter-refused = Refused
calls-log-filter-interrupted = Interrupted

## The calls table
calls-log-empty = No calls yet.
calls-log-col-when = When
calls-log-col-way = Way
calls-log-col-number = Number
calls-log-col-contact = Contact
calls-log-col-user = User
calls-log-col-talk = Talk
calls-log-col-status = Status
calls-log-col-outcome = Outcome
calls-log-col-note = Note
calls-log-col-recording = Recording
calls-log-col-quality = Quality
calls-log-way-in = ↙ in
calls-log-way-out = ↗ out
calls-log-way-internal = ↔ internal
calls-log-unknown-contact = unknown
calls-log-hidden-number = hidden
calls-log-status-in-progress = in progress
calls-log-status-answered = answered
calls-log-status-missed = missed
calls-log-status-busy = busy
calls-log-status-no-answer = no answer
calls-log-status-failed = failed
calls-log-status-cancelled = cancelled
calls-log-status-refused = refused
calls-log-status-interrupted = interrupted
# Hover text of the MOS score: each side's packet loss and jitter.
calls-log-quality-client = Client: { $lost } of { $expected } packets lost ({ $percent } %), jitter { $jitter } ms
calls-log-quality-ours = Our side: { $lost } of { $expected } packets lost ({ $percent } %), jitter { $jitter } ms
calls-log-quality-rtt = Round trip to the browser { $rtt } ms
calls-log-recording-download = Download
# $ranges: the paused stretches, e.g. "0:12–0:31, 1:05–1:10".
calls-log-recording-paused = paused { $ranges }

## The recordings zip
zip-download = Download recordings (zip)
zip-preparing = Preparing zip…
zip-megabytes = { $size } MB
zip-progress =
    { $files ->
        [one] { $received } of { $total } · { $files } recording
       *[other] { $received } of { $total } · { $files } recordings
    }
zip-saved =
    { $count ->
        [one] { $count } recording saved
       *[other] { $count } recordings saved
    }
zip-interrupted = the download was interrupted
zip-relay-answered = the relay answered { $status }
zip-no-body = the relay sent no zip
zip-no-document = no document
