# Słowa wspólne dla wszystkich stron: górny pasek, ładowanie i błędy, liczniki.

app-loading = Ładowanie Callcard…
nav-main = Menu główne
nav-contacts = Kontakty
nav-calls = Połączenia
nav-admin = Administracja
log-out = Wyloguj
logging-out = Wylogowywanie…
language = Język
calls-count =
    { $count ->
        [one] { $count } połączenie
        [few] { $count } połączenia
       *[many] { $count } połączeń
    }
