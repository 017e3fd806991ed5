# Lista kontaktów, karta kontaktu oraz jego transakcje, notatki i zadania.

## Lista kontaktów
contacts-title = Kontakty
contacts-count =
    { $count ->
        [one] { $count } kontakt
        [few] { $count } kontakty
       *[many] { $count } kontaktów
    }
contacts-found =
    { $count ->
        [one] Znaleziono { $count } kontakt
        [few] Znaleziono { $count } kontakty
       *[many] Znaleziono { $count } kontaktów
    }
contacts-empty = Brak kontaktów.
contacts-no-match = Brak kontaktów pasujących do „{ $query }”. Wpisz fragment imienia lub nazwiska, nazwę firmy lub numer telefonu w dowolnym formacie.
contacts-loading = Ładowanie kontaktów…
contacts-search-label = Szukaj kontaktów
contacts-search-placeholder = Szukaj po imieniu i nazwisku, firmie lub numerze telefonu (w dowolnym formacie)
contacts-searching = Wyszukiwanie
contacts-col-name = Imię i nazwisko
contacts-col-company = Firma
contacts-col-phones = Telefony
contacts-col-status = Status
contacts-col-responsible = Opiekun

## Karta kontaktu
card-title = Kontakt
card-back = ← Kontakty
card-loading = Ładowanie kontaktu…
card-not-found-title = Nie znaleziono kontaktu
card-not-found-text = Mógł zostać usunięty lub link jest nieprawidłowy.
card-details = Szczegóły
card-phones = Telefony
card-no-phones = Brak numerów telefonu
card-email = E-mail
card-responsible = Opiekun
card-about = Opis
card-deals = Transakcje
card-deals-count =
    { $count ->
        [one] { $count } transakcja
        [few] { $count } transakcje
       *[many] { $count } transakcji
    }
card-tasks = Zadania
card-open-tasks-count =
    { $count ->
        [one] { $count } otwarte zadanie
        [few] { $count } otwarte zadania
       *[many] { $count } otwartych zadań
    }
card-calls = Połączenia
card-calls-loading = Ładowanie połączeń…
card-notes = Notatki
card-notes-count =
    { $count ->
        [one] { $count } notatka
        [few] { $count } notatki
       *[many] { $count } notatek
    }

## Transakcje
deals-opened = Otwarta { $opened }
deals-opened-closed = Otwarta { $opened } · zamknięta { $closed }
deals-empty = Brak transakcji z tym kontaktem.

## Notatki
notes-unknown-author = Nieznany autor
notes-empty = Brak notatek. Dodaj pierwszą powyżej.
notes-new-label = Nowa notatka
notes-placeholder = Napisz notatkę o tym kontakcie…
notes-shortcut-hint = Ctrl+Enter, aby zapisać
notes-saving = Zapisywanie…
notes-add = Dodaj notatkę
notes-too-long =
    { $chars ->
        [one] Notatka jest za długa: { $chars } znak, dozwolone maksymalnie { $max }.
        [few] Notatka jest za długa: { $chars } znaki, dozwolone maksymalnie { $max }.
       *[many] Notatka jest za długa: { $chars } znaków, dozwolone maksymalnie { $max }.
    }

## Zadania
tasks-due = termin: { $date }
tasks-empty = Brak zadań.
