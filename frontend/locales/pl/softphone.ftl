# Softphone: linia, klawiatura, połączenia, przekazywanie, ustawienia dźwięku, podsumowanie rozmowy, komunikaty.

## Softphone i linia

dock-softphone = Softphone
dock-phone = Telefon
dock-missed-title = Nieodebrane połączenia od otwarcia strony
dock-missed =
    { $count ->
        [one] { $count } nieodebrane
        [few] { $count } nieodebrane
       *[many] { $count } nieodebranych
    }
dock-line-offline = Rozłączony
dock-line-off-title = Telefon nie jest uruchomiony
dock-line-connecting = Łączenie…
dock-line-online = Połączony
dock-line-online-title = Można dzwonić i odbierać połączenia
dock-line-reconnecting = Ponowne łączenie…

## Klawiatura i podgląd reguł wybierania

dock-number = Numer
dock-number-placeholder = Wpisz numer
dock-backspace = Usuń ostatni znak
dock-key = Klawisz { $key }
dock-call = Zadzwoń
dock-clear = Wyczyść
dock-call-title = Zadzwoń pod ten numer
dock-call-refused-title = Reguły wybierania blokują ten numer
dock-not-connected-title = Telefon nie jest połączony
dock-preview-dials = { $class }: zostanie wybrany { $dial }
dock-preview-dials-e164 = { $class }: zostanie wybrany { $dial } ({ $e164 })
dock-preview-refused = Odrzucono: { $reason }
dock-click-to-call = Zadzwoń pod { $number }
dock-click-to-call-e164 = Zadzwoń pod { $number } ({ $e164 })

## Karta dzwoniącego

dock-caller = Dzwoniący
dock-unknown-number = Nieznany numer
dock-last-call = Ostatnie połączenie: { $when }
dock-unknown-caller = nieznany

## Bieżące połączenie

dock-call-panel = Połączenie
dock-status-preparing = Otwieranie mikrofonu…
dock-status-calling = Wybieranie…
dock-status-ringing = Dzwoni…
dock-incoming-call = Połączenie przychodzące
dock-status-connecting = Łączenie…
dock-status-on-hold = Wstrzymane
dock-status-talking = Rozmowa
dock-rx-meter-title = Poziom dźwięku od rozmówcy
dock-answer = Odbierz
dock-decline = Odrzuć
dock-mute = Wycisz
dock-unmute = Wyłącz wyciszenie
dock-hold = Wstrzymaj
dock-resume = Wznów
dock-pause-recording = Wstrzymaj nagrywanie
dock-resume-recording = Wznów nagrywanie
dock-pause-recording-title = Na czas dyktowania numeru karty: nagranie zawiera ciszę
dock-hang-up = Rozłącz

## Drugie połączenie: oczekujące lub wstrzymane

dock-call-waiting = Połączenie oczekujące
dock-call-on-hold = Połączenie wstrzymane
dock-call-waiting-from = Oczekuje: { $number }
dock-on-hold-with = Wstrzymane: { $number }
dock-hold-and-answer = Wstrzymaj i odbierz
dock-hold-and-answer-title = Wstrzymaj bieżące połączenie i odbierz to
dock-swap = Przełącz
dock-swap-title = Wstrzymaj bieżące połączenie i wznów to
dock-complete-transfer = Zakończ przekazywanie
dock-complete-transfer-title = Połącz wstrzymanego rozmówcę z bieżącym połączeniem i opuść oba

## Przekazywanie połączenia

dock-transfer = Przekaż
dock-transfer-target = Numer wewnętrzny lub telefon
dock-transfer-placeholder = np. 102 lub +48 22 …
dock-transfer-now = Przekaż teraz
dock-transfer-now-title = Przekaż połączenie od razu
dock-consult-first = Najpierw porozmawiaj
dock-consult-first-title = Wstrzymaj to połączenie i najpierw porozmawiaj z odbiorcą
dock-transfer-needs-target = Wpisz numer wewnętrzny lub telefon, na który przekazać połączenie.
dock-consult-needs-target = Wpisz numer wewnętrzny lub telefon do konsultacji.
dock-transferring = Przekazywanie do { $target }…
dock-transfer-ringing = { $target }: dzwoni…
dock-transferred = Przekazano do { $target }.
dock-transfer-failed = Nie udało się przekazać połączenia do { $target }: { $why }. Połączenie pozostaje aktywne.

## Zakończenie połączeń i inne komunikaty pod panelem połączenia

dock-call-failed = Połączenie nieudane: { $why }
dock-failure-refused = odrzucone przez serwer ({ $code })
dock-failure-not-found = numer nie istnieje ({ $code })
dock-failure-no-answer = nikt nie odebrał ({ $code })
dock-failure-busy = zajęte ({ $code })
dock-failure-cancelled = anulowane ({ $code })
dock-failure-audio = nie udało się połączyć dźwięku ({ $code })
dock-failure-no-line = brak wolnej linii do operatora ({ $code })
dock-failure-declined = odrzucone ({ $code })
dock-failure-provider = błąd operatora ({ $code })
dock-failure-other = połączenie nieudane ({ $code })
dock-missed-caller-hung-up = Nieodebrane połączenie: dzwoniący się rozłączył.
dock-other-side-hung-up = Rozmówca się rozłączył.
dock-leader-tab-closed = Karta, w której trwało połączenie, została zamknięta.
dock-cannot-call = Nie można zadzwonić: { $why }.
dock-cannot-answer = Nie można odebrać: { $why }.
dock-audio-change-failed = Nie udało się zmienić dźwięku połączenia: { $why }
dock-no-record-to-pause = To połączenie nie ma jeszcze rekordu: nie można wstrzymać nagrywania
dock-wrap-up-saved = Zapisano w połączeniu i w kontakcie.

## Połączenie z serwerem

dock-desk-phone = Połączenia są kierowane na telefon biurkowy (numer wewnętrzny { $extension }).
dock-dropped-call-ended = Połączenie z serwerem zostało przerwane; rozmowa została zakończona.
dock-dropped-call-kept = Połączenie z serwerem zostało przerwane; rozmowa trwa, a telefon łączy się ponownie.
dock-reconnect-unreachable = serwer jest nieosiągalny; ponowna próba za { $seconds } s
dock-reconnect-refused = serwer odrzucił połączenie; ponowna próba za { $seconds } s
dock-reconnect-reason = { $reason } ({ $code }); ponowna próba za { $seconds } s
dock-reconnect-closed = połączenie zostało zamknięte ({ $code }); ponowna próba za { $seconds } s
dock-register-refused = serwer odrzucił ten telefon (403)
dock-register-timeout = serwer nie odpowiedział (408)
dock-register-failed = rejestracja nie powiodła się ({ $code })

## Ustawienia dźwięku: mikrofon, głośnik, dźwięk testowy

audio-toggle-closed = Dźwięk ▾
audio-toggle-open = Dźwięk ▴
audio-settings = Ustawienia dźwięku
audio-names-after-allow = Przeglądarka pokaże nazwy urządzeń po zezwoleniu na dostęp do mikrofonu.
audio-allow-mic = Zezwól na mikrofon
audio-microphone = Mikrofon
audio-speaker = Głośnik
audio-mic-level-title = Poziom mikrofonu
audio-system-default = Domyślne urządzenie systemowe
audio-default-device = Domyślne
audio-mic-numbered = Mikrofon { $number }
audio-speaker-numbered = Głośnik { $number }
audio-mic-not-connected = Mikrofon (niepodłączony)
audio-speaker-not-connected = Głośnik (niepodłączony)
audio-chosen-mic = Wybrany mikrofon
audio-chosen-speaker = Wybrany głośnik
audio-mic-missing = Mikrofon wybrany w ustawieniach dźwięku nie jest podłączony; używany jest domyślny.
audio-speaker-missing = Głośnik wybrany w ustawieniach dźwięku nie jest podłączony; używany jest domyślny.
audio-no-speaker-choice = Ta przeglądarka nie może kierować dźwięku połączenia na wybrany głośnik (brak setSinkId, jak w Firefoksie): połączenie jest odtwarzane na domyślnym wyjściu systemu.
audio-test = Odtwórz dźwięk testowy
audio-test-playing = Odtwarzanie…
audio-mic-cannot-open = Nie można otworzyć mikrofonu: { $why }.
audio-mic-not-allowed = Nie zezwolono na użycie mikrofonu: { $why }.
audio-test-failed = Nie udało się odtworzyć dźwięku testowego: { $why }.
audio-speaker-failed = Nie można użyć wybranego głośnika: { $why }
audio-error-not-allowed = przeglądarka nie ma zgody na użycie mikrofonu
audio-error-not-found = nie znaleziono mikrofonu
audio-error-in-use = mikrofon jest używany przez inny program
audio-error-failed = błąd dźwięku w przeglądarce
audio-no-window = brak okna przeglądarki
audio-no-document = brak dokumentu strony
audio-no-local-description = brak lokalnego opisu sesji

## Podsumowanie rozmowy

wrapup-label = Podsumowanie rozmowy
wrapup-title = Podsumowanie rozmowy z { $who }
wrapup-title-unknown = Podsumowanie rozmowy z nieznanym numerem
wrapup-outcome = Wynik
wrapup-outcome-choose = Wynik…
wrapup-note = Notatka
wrapup-contact-name = Utwórz kontakt: imię i nazwisko
wrapup-company = Firma
wrapup-follow-up = Zadanie do wykonania
wrapup-due = Termin
wrapup-save = Zapisz
wrapup-saving = Zapisywanie…
wrapup-skip = Pomiń
