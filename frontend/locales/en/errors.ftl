# Refusals by the relay, from its stable codes (English shows the relay's own sentence).
refusal-not-dialable = the number holds characters that cannot be dialled
refusal-autocorrect-undialable = the autocorrect rule { $rule } made the number undiallable
refusal-rules-invalid = the number rules are invalid, so no call is allowed
refusal-not-a-number = this is not a complete phone number
refusal-forbidden-code = numbers starting with { $prefix } are forbidden by the number rules
refusal-international-off = international calls are not allowed ({ $country })
refusal-country-not-allowed = calls to { $country } are not allowed
refusal-class-not-allowed =
    { $class ->
        [internal] calls to internal extensions are not allowed
        [local] calls to local numbers are not allowed
        [national] calls to national numbers are not allowed
        [mobile] calls to mobile numbers are not allowed
        [international] international calls are not allowed
        [premium] calls to premium-rate numbers are not allowed
        [special] calls to special and emergency numbers are not allowed
       *[other] calls of this kind are not allowed
    }
refusal-limit-concurrent =
    { $scope ->
        [overall] limit reached: { $n } concurrent calls for the whole company
       *[user] limit reached: { $n } concurrent calls
    }
refusal-limit-attempts =
    { $scope ->
        [overall] limit reached: { $n } call attempts per minute for the whole company
       *[user] limit reached: { $n } call attempts per minute
    }
refusal-limit-international-minutes =
    { $scope ->
        [overall] limit reached: { $n } international minutes per day for the whole company
       *[user] limit reached: { $n } international minutes per day
    }
