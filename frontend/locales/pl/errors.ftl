# Odmowy serwera według ich stałych kodów.
refusal-not-dialable = numer zawiera znaki, których nie można wybrać
refusal-autocorrect-undialable = reguła autokorekty { $rule } sprawiła, że numeru nie można wybrać
refusal-rules-invalid = reguły numerów zawierają błąd, więc połączenia są zablokowane
refusal-not-a-number = to nie jest pełny numer telefonu
refusal-forbidden-code = numery zaczynające się od { $prefix } są zablokowane przez reguły numerów
refusal-international-off = połączenia międzynarodowe są zablokowane ({ $country })
refusal-country-not-allowed = połączenia do { $country } są zablokowane
refusal-class-not-allowed =
    { $class ->
        [internal] połączenia z numerami wewnętrznymi są zablokowane
        [local] połączenia lokalne są zablokowane
        [national] połączenia krajowe są zablokowane
        [mobile] połączenia z numerami komórkowymi są zablokowane
        [international] połączenia międzynarodowe są zablokowane
        [premium] połączenia z numerami o podwyższonej opłacie są zablokowane
        [special] połączenia z numerami specjalnymi i alarmowymi są zablokowane
       *[other] takie połączenia są zablokowane
    }
refusal-limit-concurrent =
    { $scope ->
        [overall] osiągnięto limit: { $n } jednoczesnych połączeń dla całej firmy
       *[user] osiągnięto limit: { $n } jednoczesnych połączeń
    }
refusal-limit-attempts =
    { $scope ->
        [overall] osiągnięto limit: { $n } prób połączenia na minutę dla całej firmy
       *[user] osiągnięto limit: { $n } prób połączenia na minutę
    }
refusal-limit-international-minutes =
    { $scope ->
        [overall] osiągnięto limit: { $n } minut międzynarodowych dziennie dla całej firmy
       *[user] osiągnięto limit: { $n } minut międzynarodowych dziennie
    }
