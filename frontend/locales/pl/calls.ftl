# Rejestr połączeń (filtry, tabela, jakość połączenia, nagrania) i archiwum nagrań.

## Strona rejestru połączeń
calls-log-title = Połączenia
calls-log-loading = Ładowanie połączeń…
calls-log-download-csv = Pobierz CSV
calls-log-filter-from = Od
calls-log-filter-to = Do
calls-log-filter-way = Kierunek
calls-log-filter-status = Status
calls-log-filter-user = Użytkownik
calls-log-filter-everyone = Wszyscy
calls-log-filter-any-way = Dowolny
calls-log-filter-in = Przychodzące
calls-log-filter-out = Wychodzące
calls-log-filter-any-status = Dowolny status
calls-log-filter-answered = Odebrane
calls-log-filter-missed = Nieodebrane
calls-log-filter-no-answer = Brak odpowiedzi
calls-log-filter-busy = Zajęte
calls-log-filter-failed = Nieudane
calls-log-filter-cancelled = Anulowane
calls-log-filter-refused = Odrzucone
calls-log-filter-interrupted = Przerwane

## Tabela połączeń
calls-log-empty = Brak połączeń.
calls-log-col-when = Kiedy
calls-log-col-way = Kierunek
calls-log-col-number = Numer
calls-log-col-contact = Kontakt
calls-log-col-user = Użytkownik
calls-log-col-talk = Rozmowa
calls-log-col-status = Status
calls-log-col-outcome = Wynik
calls-log-col-note = Notatka
calls-log-col-recording = Nagranie
calls-log-col-quality = Jakość
calls-log-way-in = ↙ przychodzące
calls-log-way-out = ↗ wychodzące
calls-log-way-internal = ↔ wewnętrzne
calls-log-unknown-contact = nieznany
calls-log-hidden-number = ukryty
calls-log-status-in-progress = w toku
calls-log-status-answered = odebrane
calls-log-status-missed = nieodebrane
calls-log-status-busy = zajęte
calls-log-status-no-answer = brak odpowiedzi
calls-log-status-failed = nieudane
calls-log-status-cancelled = anulowane
calls-log-status-refused = odrzucone
calls-log-status-interrupted = przerwane
# Podpowiedź do oceny MOS: utrata pakietów i jitter każdej ze stron.
calls-log-quality-client =
    { $expected ->
        [one] Klient: utracono { $lost } z { $expected } pakietu ({ $percent } %), jitter { $jitter } ms
       *[other] Klient: utracono { $lost } z { $expected } pakietów ({ $percent } %), jitter { $jitter } ms
    }
calls-log-quality-ours =
    { $expected ->
        [one] Nasza strona: utracono { $lost } z { $expected } pakietu ({ $percent } %), jitter { $jitter } ms
       *[other] Nasza strona: utracono { $lost } z { $expected } pakietów ({ $percent } %), jitter { $jitter } ms
    }
calls-log-quality-rtt = Czas podróży w obie strony do przeglądarki: { $rtt } ms
calls-log-recording-download = Pobierz
# $ranges: wstrzymane fragmenty nagrania, np. „0:12–0:31, 1:05–1:10”.
calls-log-recording-paused = wstrzymano { $ranges }

## Archiwum nagrań
zip-download = Pobierz nagrania (zip)
zip-preparing = Przygotowywanie archiwum…
zip-megabytes = { $size } MB
zip-progress =
    { $files ->
        [one] { $received } z { $total } · { $files } nagranie
        [few] { $received } z { $total } · { $files } nagrania
       *[many] { $received } z { $total } · { $files } nagrań
    }
zip-saved =
    { $count ->
        [one] Zapisano { $count } nagranie
        [few] Zapisano { $count } nagrania
       *[many] Zapisano { $count } nagrań
    }
zip-interrupted = Pobieranie zostało przerwane
zip-relay-answered = Serwer odpowiedział: { $status }
zip-no-body = Serwer nie przesłał archiwum
zip-no-document = Strona jest niedostępna
