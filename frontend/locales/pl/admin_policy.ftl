# Strony zasad administratora: maskowanie numerów, limity połączeń, nagrania, dziennik audytu, wyłączanie telefonii.

## Maskowanie numerów (/admin/masking)

masking-title = Maskowanie numerów
masking-loading = Wczytywanie grup dostępu…
masking-intro = Jak członkowie każdej grupy dostępu widzą numery telefonów — wszędzie: na listach, w kartach, w historii połączeń i przy połączeniach przychodzących. Przykład pokazuje numer { $sample }. Przełącznik „Użytkownicy telefonii” tworzy każdemu członkowi grupy użytkownika telefonii (z kolejnym wolnym numerem wewnętrznym) — teraz i później, gdy ktoś dołączy do grupy; po wyłączeniu istniejący użytkownicy pozostają.
masking-col-group = Grupa
masking-col-numbers = Numery
masking-col-n = N
masking-col-example = Przykład
masking-col-telephony = Użytkownicy telefonii
masking-administrators = (administratorzy)
masking-kind-label = Jak grupa { $group } widzi numery
masking-n-label = Liczba cyfr N
masking-save = Zapisz
masking-saving = Zapisywanie…
masking-saved = Zapisano
masking-telephony-switch = Utwórz użytkownika telefonii każdemu członkowi
masking-kind-none = Pokazuj w całości
masking-kind-hidden = Ukrywaj
masking-kind-mask-first = Zastępuj pierwsze N cyfr znakiem *
masking-kind-show-last = Pokazuj tylko ostatnie N cyfr
masking-n-invalid = N musi być liczbą całkowitą od 1 do { $max }.
masking-sample-hidden = (ukryty: tylko przycisk połączenia)

## Limity połączeń (/admin/limits)

limits-title = Limity połączeń
limits-loading = Wczytywanie limitów połączeń…
limits-intro = Połączenie wychodzące przekraczające którykolwiek z tych limitów jest odrzucane; trwające połączenie międzynarodowe, które przekroczy dzienny limit minut, zostaje rozłączone. Pozostaw pole puste, aby nie ustawiać limitu.
limits-no-limit = Bez limitu
limits-save = Zapisz limity
limits-saving = Zapisywanie…
limits-saved = Zapisano
limits-scope-per-user = Każdy użytkownik
limits-scope-overall = Wszyscy razem
limits-concurrent = Jednoczesne połączenia wychodzące
limits-concurrent-hint = Liczone są połączenia dzwoniące i odebrane. Od 1 do 10 000.
limits-attempts = Próby połączeń na minutę
limits-attempts-hint = W dowolnych 60 sekundach. Od 1 do 100 000.
limits-international = Minuty międzynarodowe na dobę
limits-international-hint = Czas rozmów w dobie UTC; połączenie ponad limit zostaje rozłączone. Od 1 do 1 000 000.
limits-not-a-number = Wpisz liczbę całkowitą lub pozostaw pole puste, aby nie ustawiać limitu.

## Nagrania (/admin/recordings)

recset-title = Nagrania
recset-loading = Wczytywanie ustawień nagrywania…
recset-intro = Odebrane połączenia, których dźwięk przechodzi przez serwer (połączenia z przeglądarki), są nagrywane w stereo — klient po lewej, pracownik po prawej — od odebrania do rozłączenia. Ustawienie użytkownika ma pierwszeństwo przed ustawieniem jego grupy. Menedżerowie słuchają nagrań własnych połączeń; grupa z dostępem do wszystkich połączeń słucha nagrań wszystkich. Każde odtworzenie i pobranie trafia do dziennika audytu.
# $alert to przyczyna podana przez serwer, pokazywana bez zmian.
recset-alert = Nowe połączenia nie są nagrywane: { $alert }. Połączenia działają normalnie; zwolnij miejsce, a nagrywanie wznowi się samo.
recset-recording-now =
    { $count ->
        [one] Nagrywane teraz: { $count } połączenie
        [few] Nagrywane teraz: { $count } połączenia
       *[many] Nagrywane teraz: { $count } połączeń
    }
# $free to wolne miejsce w gigabajtach, z jednym miejscem po przecinku.
recset-recording-now-free =
    { $count ->
        [one] Nagrywane teraz: { $count } połączenie · wolne miejsce na nagrania: { $free } GB
        [few] Nagrywane teraz: { $count } połączenia · wolne miejsce na nagrania: { $free } GB
       *[many] Nagrywane teraz: { $count } połączeń · wolne miejsce na nagrania: { $free } GB
    }
recset-enabled = Nagrywaj połączenia
recset-directions = Kierunki
recset-inbound = Przychodzące
recset-outbound = Wychodzące
recset-internal = Między współpracownikami
recset-consent = Informuj klienta o nagrywaniu przed połączeniem
# $seconds to długość, z jednym miejscem po przecinku.
recset-announcement-uploaded = Komunikat trwa { $seconds } s (przesłany).
# Domyślny komunikat jest nagrany po angielsku: jego słowa zostają bez zmian.
recset-announcement-default = Komunikat trwa { $seconds } s (domyślny: „This call is recorded.”).
recset-announcement-file = Własny komunikat (WAV lub MP3, do 30 s)
recset-announcement-use-default = Użyj domyślnego komunikatu
recset-retention = Przechowuj nagrania przez (dni)
recset-retention-hint = Starsze nagrania są usuwane; połączenie pozostaje w historii z odpowiednią informacją. Od 1 do 3650.
recset-retention-invalid = liczba całkowita dni, od 1 do 3650
recset-groups = Grupy dostępu
recset-col-group = Grupa
recset-col-recorded = Nagrywanie połączeń
recset-col-hears-all = Słucha wszystkich połączeń (zapisywane od razu)
recset-record-group = Nagrywaj połączenia grupy { $group }
recset-admins-always = zawsze (administratorzy)
recset-hears-all = Grupa { $group } słucha wszystkich połączeń
recset-users = Użytkownicy
recset-col-user = Użytkownik
recset-user-label = Nagrywanie połączeń użytkownika { $user }
recset-user-group = Jak w grupie
recset-user-always = Zawsze nagrywaj
recset-user-never = Nigdy nie nagrywaj
recset-save = Zapisz ustawienia nagrywania
recset-saving = Zapisywanie…
recset-saved = Zapisano

## Dziennik audytu (/admin/audit)

audit-title = Dziennik audytu
audit-loading = Wczytywanie dziennika audytu…
audit-intro = Każde odtworzenie i pobranie nagrania połączenia wraz z osobą, która to zrobiła.
audit-empty = Nikt jeszcze nie odtworzył ani nie pobrał nagrania.
audit-col-when = Kiedy
audit-col-who = Kto
audit-col-what = Co
audit-col-call = Połączenie
audit-played = odtworzenie nagrania
audit-downloaded = pobranie nagrania
audit-call = połączenie { $id }
audit-newer = Nowsze
audit-older = Starsze
audit-range = { $from }–{ $to } z { $total }

## Wyłączanie telefonii (/admin/telephony)

teloff-title = Wyłącz telefonię
teloff-danger-zone = Strefa zagrożenia
teloff-removes = Wyłączenie telefonii natychmiast i bezpowrotnie usuwa:
teloff-removes-trunks = wszystkie konta SIP (trunki) u operatorów;
teloff-removes-users = wszystkich użytkowników telefonii — ich numery wewnętrzne i hasła SIP;
teloff-removes-settings = reguły numerów (przywracane do domyślnych), limity połączeń i automatyczne tworzenie użytkowników telefonii w grupach.
teloff-stays = Trwające połączenia zostają rozłączone, a wszystkie telefony w przeglądarce i telefony biurkowe odłączone. CRM — kontakty, transakcje, zadania, notatki, użytkownicy — pozostaje, podobnie jak rekordy połączeń, chyba że zostanie zaznaczone pole poniżej.
teloff-delete-calls = Usuń także rekordy połączeń
teloff-delete-calls-hint = Cała historia połączeń. Notatki i zadania zachowają swoją treść, ale bez powiązania z połączeniem. Tej operacji nie można cofnąć.
teloff-start = Wyłącz telefonię…
# Dalej są słowa do wpisania, pokazane jako kod (zostają po angielsku).
teloff-confirm-label = Aby kontynuować, wpisz
teloff-submit = Wyłącz telefonię
teloff-submit-delete = Wyłącz telefonię i usuń rekordy połączeń
teloff-turning-off = Wyłączanie…
teloff-cancel = Anuluj
teloff-done = Telefonia jest wyłączona.
teloff-report-trunks = Usunięte konta SIP
teloff-report-sip-users = Usunięci użytkownicy telefonii
teloff-report-calls = Rozłączone połączenia
teloff-report-connections = Zamknięte połączenia z telefonami
teloff-report-records = Usunięte rekordy połączeń
