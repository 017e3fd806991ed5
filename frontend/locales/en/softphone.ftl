# The softphone dock: line, dial pad, calls, transfer, Audio panel, after-call prompt, call notices.

## The dock and its line

dock-softphone = Softphone
dock-phone = Phone
dock-missed-title = Missed calls since this page opened
dock-missed =
    { $count ->
        [one] { $count } missed
       *[other] { $count } missed
    }
dock-line-offline = Offline
dock-line-off-title = The phone is not started
dock-line-connecting = Connecting…
dock-line-online = Online
dock-line-online-title = Calls can be made and taken
dock-line-reconnecting = Reconnecting…

## The dial pad and its preview of the number rules

dock-number = Number
dock-number-placeholder = Type a number
dock-backspace = Delete last character
dock-key = Key { $key }
dock-call = Call
dock-clear = Clear
dock-call-title = Call this number
dock-call-refused-title = The number rules refuse this number
dock-not-connected-title = The phone is not connected
dock-preview-dials = { $class }: dials { $dial }
dock-preview-dials-e164 = { $class }: dials { $dial } ({ $e164 })
dock-preview-refused = Refused: { $reason }
dock-click-to-call = Call { $number }
dock-click-to-call-e164 = Call { $number } ({ $e164 })

## The caller's card

dock-caller = Caller
dock-unknown-number = Unknown number
dock-last-call = Last call: { $when }
dock-unknown-caller = unknown

## The call in progress

dock-call-panel = Call
dock-status-preparing = Opening the microphone…
dock-status-calling = Calling…
dock-status-ringing = Ringing…
dock-incoming-call = Incoming call
dock-status-connecting = Connecting…
dock-status-on-hold = On hold
dock-status-talking = Talking
dock-rx-meter-title = What you hear from the other side
dock-answer = Answer
dock-decline = Decline
dock-mute = Mute
dock-unmute = Unmute
dock-hold = Hold
dock-resume = Resume
dock-pause-recording = Pause recording
dock-resume-recording = Resume recording
dock-pause-recording-title = While a card number is read out: the recording keeps silence
dock-hang-up = Hang up

## A second call: waiting or on hold

dock-call-waiting = Call waiting
dock-call-on-hold = Call on hold
dock-call-waiting-from = Call waiting: { $number }
dock-on-hold-with = On hold: { $number }
dock-hold-and-answer = Hold & answer
dock-hold-and-answer-title = Hold the current call and answer this one
dock-swap = Swap
dock-swap-title = Hold the current call and resume this one
dock-complete-transfer = Complete transfer
dock-complete-transfer-title = Connect this held caller with the call in progress and leave both

## Transfer

dock-transfer = Transfer
dock-transfer-target = Extension or number
dock-transfer-placeholder = e.g. 102 or +7 495 …
dock-transfer-now = Transfer now
dock-transfer-now-title = Hand the call over now
dock-consult-first = Consult first
dock-consult-first-title = Hold this call and talk to them first
dock-transfer-needs-target = Type the extension or number to transfer to.
dock-consult-needs-target = Type the extension or number to consult.
dock-transferring = Transferring to { $target }…
dock-transfer-ringing = { $target } is ringing…
dock-transferred = Transferred to { $target }.
dock-transfer-failed = Transfer to { $target } failed: { $why }. The call is still yours.

## How calls end, and other notices under the call panel

dock-call-failed = Call failed: { $why }
dock-failure-refused = refused by the server ({ $code })
dock-failure-not-found = the number does not exist ({ $code })
dock-failure-no-answer = nobody answered ({ $code })
dock-failure-busy = busy ({ $code })
dock-failure-cancelled = cancelled ({ $code })
dock-failure-audio = the audio could not be connected ({ $code })
dock-failure-no-line = no line to the provider is available ({ $code })
dock-failure-declined = declined ({ $code })
dock-failure-provider = the provider failed ({ $code })
dock-failure-other = the call failed ({ $code })
dock-missed-caller-hung-up = Missed call: the caller hung up.
dock-other-side-hung-up = The other side hung up.
dock-leader-tab-closed = The tab that had the call was closed.
dock-cannot-call = Cannot call: { $why }.
dock-cannot-answer = Cannot answer: { $why }.
dock-audio-change-failed = The call's audio could not be changed: { $why }
dock-no-record-to-pause = This call has no record yet: its recording cannot be paused
dock-wrap-up-saved = Saved to the call and the contact.

## The connection to the server

dock-desk-phone = Your calls ring on your desk phone (extension { $extension }).
dock-dropped-call-ended = The connection to the server dropped; the call ended.
dock-dropped-call-kept = The connection to the server dropped; the call goes on while it reconnects.
dock-reconnect-unreachable = the server cannot be reached; trying again in { $seconds } s
dock-reconnect-refused = the server refused the connection; trying again in { $seconds } s
dock-reconnect-reason = { $reason } ({ $code }); trying again in { $seconds } s
dock-reconnect-closed = the connection closed ({ $code }); trying again in { $seconds } s
dock-register-refused = the server refused this phone (403)
dock-register-timeout = the server did not answer (408)
dock-register-failed = registration failed ({ $code })

## The Audio panel: microphone, speaker, test sound

audio-toggle-closed = Audio ▾
audio-toggle-open = Audio ▴
audio-settings = Audio settings
audio-names-after-allow = The browser names the devices once the microphone is allowed.
audio-allow-mic = Allow microphone
audio-microphone = Microphone
audio-speaker = Speaker
audio-mic-level-title = Your microphone's level
audio-system-default = System default
audio-default-device = Default
audio-mic-numbered = Microphone { $number }
audio-speaker-numbered = Speaker { $number }
audio-mic-not-connected = Microphone (not connected)
audio-speaker-not-connected = Speaker (not connected)
audio-chosen-mic = The chosen microphone
audio-chosen-speaker = The chosen speaker
audio-mic-missing = The microphone chosen in Audio settings is not connected; the default one is used.
audio-speaker-missing = The speaker chosen in Audio settings is not connected; the default one is used.
audio-no-speaker-choice = This browser cannot send the call to a chosen speaker (it lacks setSinkId, as Firefox does): the call plays on the system's default output.
audio-test = Play test sound
audio-test-playing = Playing…
audio-mic-cannot-open = The microphone cannot be opened: { $why }.
audio-mic-not-allowed = The microphone was not allowed: { $why }.
audio-test-failed = The test sound failed: { $why }.
audio-speaker-failed = The chosen speaker could not be used: { $why }
audio-error-not-allowed = the browser was not allowed to use the microphone
audio-error-not-found = no microphone was found
audio-error-in-use = the microphone is in use by another program
audio-error-failed = the browser's audio failed
audio-no-window = no window
audio-no-document = no document
audio-no-local-description = no local description

## After the call

wrapup-label = After the call
wrapup-title = After the call with { $who }
wrapup-title-unknown = After the call with an unknown number
wrapup-outcome = Outcome
wrapup-outcome-choose = Outcome…
wrapup-note = Note
wrapup-contact-name = Create contact: name
wrapup-company = Company
wrapup-follow-up = Follow-up task
wrapup-due = Due
wrapup-save = Save
wrapup-saving = Saving…
wrapup-skip = Skip
