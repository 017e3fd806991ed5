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
