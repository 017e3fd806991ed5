# Words every page shares: the top bar, loading and error notices, counts.

app-loading = Loading Callcard…
nav-main = Main
nav-contacts = Contacts
nav-calls = Calls
nav-admin = Admin
log-out = Log out
logging-out = Logging out…
language = Language
calls-count =
    { $count ->
        [one] { $count } call
       *[other] { $count } calls
    }

## The browser tab, the page that is not there, and the sign-in form
common-page-title = { $page } — Callcard
common-not-found-title = Page not found
common-not-found-text = There is nothing at this address.
common-not-found-link = Go to contacts
login-title = Sign in
login-login-label = Login
login-password-label = Password
login-submit = Sign in
login-signing-in = Signing in…
login-wrong-credentials = Wrong login or password.
login-session-ended = Your session has ended. Please sign in again.
login-signed-out = You have signed out.

## Errors of requests to the server
error-sign-in = Please sign in.
error-server = The server could not handle the request (HTTP { $status }). Try again in a moment.
error-network = Cannot reach the server. Check your connection and try again.
error-decode = The server sent an answer this page cannot read.
error-not-found = Not found.

## Paging and notices
# "41–50 of 53": rows $first to $last of $total.
pager-range = { $first }–{ $last } of { $total }
pager-range-empty = 0 of { $total }
pager-label = Pages
pager-prev = ‹ Prev
pager-next = Next ›
status-try-again = Try again

# Destination classes (the number rules), lower case.
class-internal = internal extensions
class-local = local numbers
class-national = national numbers
class-mobile = mobile numbers
class-international = international numbers
class-premium = premium-rate numbers
class-special = special and emergency numbers
