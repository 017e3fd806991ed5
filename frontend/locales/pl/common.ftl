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

## Karta przeglądarki, nieistniejąca strona i formularz logowania
common-page-title = { $page } — Callcard
common-not-found-title = Nie znaleziono strony
common-not-found-text = Pod tym adresem nic nie ma.
common-not-found-link = Przejdź do kontaktów
login-title = Logowanie
login-login-label = Login
login-password-label = Hasło
login-submit = Zaloguj się
login-signing-in = Logowanie…
login-wrong-credentials = Nieprawidłowy login lub hasło.
login-session-ended = Sesja wygasła. Zaloguj się ponownie.
login-signed-out = Wylogowano.

## Błędy zapytań do serwera
error-sign-in = Zaloguj się.
error-server = Serwer nie mógł obsłużyć żądania (HTTP { $status }). Spróbuj ponownie za chwilę.
error-network = Brak połączenia z serwerem. Sprawdź połączenie i spróbuj ponownie.
error-decode = Serwer przesłał odpowiedź, której ta strona nie potrafi odczytać.
error-not-found = Nie znaleziono.

## Stronicowanie i komunikaty
# „41–50 z 53”: wiersze od $first do $last z $total.
pager-range = { $first }–{ $last } z { $total }
pager-range-empty = 0 z { $total }
pager-label = Strony
pager-prev = ‹ Poprzednia
pager-next = Następna ›
status-try-again = Spróbuj ponownie

# Destination classes (the number rules), lower case.
class-internal = numery wewnętrzne
class-local = numery lokalne
class-national = numery krajowe
class-mobile = numery komórkowe
class-international = numery międzynarodowe
class-premium = numery o podwyższonej opłacie
class-special = numery specjalne i alarmowe
