# Софтфон: линия, номеронабиратель, звонки, перевод, настройки звука, итоги звонка, уведомления о звонках.

## Софтфон и линия

dock-softphone = Софтфон
dock-phone = Телефон
dock-missed-title = Пропущенные звонки с момента открытия страницы
dock-missed =
    { $count ->
        [one] { $count } пропущенный
        [few] { $count } пропущенных
       *[many] { $count } пропущенных
    }
dock-line-offline = Не в сети
dock-line-off-title = Телефон не запущен
dock-line-connecting = Подключение…
dock-line-online = В сети
dock-line-online-title = Можно звонить и принимать звонки
dock-line-reconnecting = Переподключение…

## Номеронабиратель и проверка номера по правилам набора

dock-number = Номер
dock-number-placeholder = Введите номер
dock-backspace = Удалить последний символ
dock-key = Клавиша { $key }
dock-call = Позвонить
dock-clear = Очистить
dock-call-title = Позвонить на этот номер
dock-call-refused-title = Правила набора запрещают этот номер
dock-not-connected-title = Телефон не подключён
dock-preview-dials = { $class }: будет набрано { $dial }
dock-preview-dials-e164 = { $class }: будет набрано { $dial } ({ $e164 })
dock-preview-refused = Запрещено: { $reason }
dock-click-to-call = Позвонить на { $number }
dock-click-to-call-e164 = Позвонить на { $number } ({ $e164 })

## Карточка звонящего

dock-caller = Звонящий
dock-unknown-number = Неизвестный номер
dock-last-call = Последний звонок: { $when }
dock-unknown-caller = неизвестно

## Текущий звонок

dock-call-panel = Звонок
dock-status-preparing = Включение микрофона…
dock-status-calling = Набор номера…
dock-status-ringing = Идут гудки…
dock-incoming-call = Входящий звонок
dock-status-connecting = Соединение…
dock-status-on-hold = На удержании
dock-status-talking = Разговор
dock-rx-meter-title = Уровень звука от собеседника
dock-answer = Ответить
dock-decline = Отклонить
dock-mute = Выключить микрофон
dock-unmute = Включить микрофон
dock-hold = Удержание
dock-resume = Снять с удержания
dock-pause-recording = Приостановить запись
dock-resume-recording = Возобновить запись
dock-pause-recording-title = Пока диктуют номер карты, в запись попадает тишина
dock-hang-up = Завершить

## Второй звонок: ожидающий или на удержании

dock-call-waiting = Ожидающий звонок
dock-call-on-hold = Звонок на удержании
dock-call-waiting-from = Ожидает ответа: { $number }
dock-on-hold-with = На удержании: { $number }
dock-hold-and-answer = Удержать и ответить
dock-hold-and-answer-title = Поставить текущий звонок на удержание и ответить на этот
dock-swap = Переключиться
dock-swap-title = Поставить текущий звонок на удержание и вернуться к этому
dock-complete-transfer = Завершить перевод
dock-complete-transfer-title = Соединить абонента на удержании с текущим собеседником и выйти из обоих звонков

## Перевод звонка

dock-transfer = Перевести
dock-transfer-target = Внутренний номер или телефон
dock-transfer-placeholder = например, 102 или +7 495 …
dock-transfer-now = Перевести сразу
dock-transfer-now-title = Передать звонок прямо сейчас
dock-consult-first = Сначала поговорить
dock-consult-first-title = Поставить этот звонок на удержание и сначала поговорить с тем, кому вы его переводите
dock-transfer-needs-target = Введите внутренний номер или телефон, на который нужно перевести звонок.
dock-consult-needs-target = Введите внутренний номер или телефон для консультации.
dock-transferring = Перевод на { $target }…
dock-transfer-ringing = { $target }: идёт вызов…
dock-transferred = Звонок переведён на { $target }.
dock-transfer-failed = Не удалось перевести звонок на { $target }: { $why }. Звонок остаётся у вас.

## Как завершаются звонки и другие уведомления под панелью звонка

dock-call-failed = Звонок не удался: { $why }
dock-failure-refused = отклонён сервером ({ $code })
dock-failure-not-found = номер не существует ({ $code })
dock-failure-no-answer = никто не ответил ({ $code })
dock-failure-busy = занято ({ $code })
dock-failure-cancelled = отменён ({ $code })
dock-failure-audio = не удалось подключить звук ({ $code })
dock-failure-no-line = нет свободной линии к провайдеру ({ $code })
dock-failure-declined = отклонён ({ $code })
dock-failure-provider = сбой у провайдера ({ $code })
dock-failure-other = звонок не удался ({ $code })
dock-missed-caller-hung-up = Пропущенный звонок: звонящий положил трубку.
dock-other-side-hung-up = Собеседник положил трубку.
dock-leader-tab-closed = Вкладка, в которой шёл звонок, закрыта.
dock-cannot-call = Невозможно позвонить: { $why }.
dock-cannot-answer = Невозможно ответить: { $why }.
dock-audio-change-failed = Не удалось изменить звук звонка: { $why }
dock-no-record-to-pause = Звонок ещё не зарегистрирован: приостановить запись нельзя
dock-wrap-up-saved = Сохранено в звонке и в контакте.

## Соединение с сервером

dock-desk-phone = Ваши звонки поступают на настольный телефон (внутренний номер { $extension }).
dock-dropped-call-ended = Соединение с сервером прервалось; звонок завершён.
dock-dropped-call-kept = Соединение с сервером прервалось; звонок продолжается, пока идёт переподключение.
dock-reconnect-unreachable = сервер недоступен; повторная попытка через { $seconds } с
dock-reconnect-refused = сервер отклонил подключение; повторная попытка через { $seconds } с
dock-reconnect-reason = { $reason } ({ $code }); повторная попытка через { $seconds } с
dock-reconnect-closed = соединение закрыто ({ $code }); повторная попытка через { $seconds } с
dock-register-refused = сервер отклонил этот телефон (403)
dock-register-timeout = сервер не ответил (408)
dock-register-failed = регистрация не удалась ({ $code })

## Настройки звука: микрофон, динамик, тестовый звук

audio-toggle-closed = Звук ▾
audio-toggle-open = Звук ▴
audio-settings = Настройки звука
audio-names-after-allow = Названия устройств появятся, когда вы разрешите доступ к микрофону.
audio-allow-mic = Разрешить микрофон
audio-microphone = Микрофон
audio-speaker = Динамик
audio-mic-level-title = Уровень вашего микрофона
audio-system-default = По умолчанию в системе
audio-default-device = По умолчанию
audio-mic-numbered = Микрофон { $number }
audio-speaker-numbered = Динамик { $number }
audio-mic-not-connected = Микрофон (не подключён)
audio-speaker-not-connected = Динамик (не подключён)
audio-chosen-mic = Выбранный микрофон
audio-chosen-speaker = Выбранный динамик
audio-mic-missing = Микрофон, выбранный в настройках звука, не подключён; используется микрофон по умолчанию.
audio-speaker-missing = Динамик, выбранный в настройках звука, не подключён; используется динамик по умолчанию.
audio-no-speaker-choice = Этот браузер не может выводить звонок на выбранный динамик (в нём нет setSinkId, как в Firefox): звонок звучит через системное устройство вывода по умолчанию.
audio-test = Воспроизвести тестовый звук
audio-test-playing = Воспроизведение…
audio-mic-cannot-open = Не удалось открыть микрофон: { $why }.
audio-mic-not-allowed = Доступ к микрофону не разрешён: { $why }.
audio-test-failed = Не удалось воспроизвести тестовый звук: { $why }.
audio-speaker-failed = Не удалось использовать выбранный динамик: { $why }
audio-error-not-allowed = браузеру не разрешено использовать микрофон
audio-error-not-found = микрофон не найден
audio-error-in-use = микрофон занят другой программой
audio-error-failed = сбой звука в браузере
audio-no-window = нет окна браузера
audio-no-document = нет документа страницы
audio-no-local-description = нет локального описания сеанса

## Итоги звонка

wrapup-label = Итоги звонка
wrapup-title = Итоги звонка: { $who }
wrapup-title-unknown = Итоги звонка с неизвестного номера
wrapup-outcome = Результат
wrapup-outcome-choose = Результат…
wrapup-note = Заметка
wrapup-contact-name = Создать контакт: имя
wrapup-company = Компания
wrapup-follow-up = Задача (следующий шаг)
wrapup-due = Срок
wrapup-save = Сохранить
wrapup-saving = Сохранение…
wrapup-skip = Пропустить
