# Журнал звонков (фильтры, таблица, качество связи, записи) и архив записей.

## Страница журнала звонков
calls-log-title = Звонки
calls-log-loading = Загрузка звонков…
calls-log-download-csv = Скачать CSV
calls-log-filter-from = С
calls-log-filter-to = По
calls-log-filter-way = Направление
calls-log-filter-status = Статус
calls-log-filter-user = Пользователь
calls-log-filter-everyone = Все
calls-log-filter-any-way = Любое
calls-log-filter-in = Входящие
calls-log-filter-out = Исходящие
calls-log-filter-any-status = Любой статус
calls-log-filter-answered = Отвеченные
calls-log-filter-missed = Пропущенные
calls-log-filter-no-answer = Без ответа
calls-log-filter-busy = Занято
calls-log-filter-failed = Неудачные
calls-log-filter-cancelled = Отменённые
calls-log-filter-refused = Отклонённые
calls-log-filter-interrupted = Прерванные

## Таблица звонков
calls-log-empty = Звонков пока нет.
calls-log-col-when = Когда
calls-log-col-way = Направление
calls-log-col-number = Номер
calls-log-col-contact = Контакт
calls-log-col-user = Пользователь
calls-log-col-talk = Разговор
calls-log-col-status = Статус
calls-log-col-outcome = Итог
calls-log-col-note = Заметка
calls-log-col-recording = Запись
calls-log-col-quality = Качество
calls-log-way-in = ↙ входящий
calls-log-way-out = ↗ исходящий
calls-log-way-internal = ↔ внутренний
calls-log-unknown-contact = неизвестен
calls-log-hidden-number = скрыт
calls-log-status-in-progress = идёт
calls-log-status-answered = отвечен
calls-log-status-missed = пропущен
calls-log-status-busy = занято
calls-log-status-no-answer = нет ответа
calls-log-status-failed = неудачный
calls-log-status-cancelled = отменён
calls-log-status-refused = отклонён
calls-log-status-interrupted = прерван
# Подсказка к оценке MOS: потери пакетов и джиттер каждой стороны.
calls-log-quality-client =
    { $expected ->
        [one] Клиент: потеряно { $lost } из { $expected } пакета ({ $percent } %), джиттер { $jitter } мс
       *[other] Клиент: потеряно { $lost } из { $expected } пакетов ({ $percent } %), джиттер { $jitter } мс
    }
calls-log-quality-ours =
    { $expected ->
        [one] Наша сторона: потеряно { $lost } из { $expected } пакета ({ $percent } %), джиттер { $jitter } мс
       *[other] Наша сторона: потеряно { $lost } из { $expected } пакетов ({ $percent } %), джиттер { $jitter } мс
    }
calls-log-quality-rtt = Задержка до браузера и обратно: { $rtt } мс
calls-log-recording-download = Скачать
# $ranges — паузы в записи, например «0:12–0:31, 1:05–1:10».
calls-log-recording-paused = пауза { $ranges }

## Архив записей
zip-download = Скачать записи (zip)
zip-preparing = Подготовка архива…
zip-megabytes = { $size } МБ
zip-progress =
    { $files ->
        [one] { $received } из { $total } · { $files } запись
        [few] { $received } из { $total } · { $files } записи
       *[many] { $received } из { $total } · { $files } записей
    }
zip-saved =
    { $count ->
        [one] Сохранена { $count } запись
        [few] Сохранено { $count } записи
       *[many] Сохранено { $count } записей
    }
zip-interrupted = Загрузка прервана
zip-relay-answered = Сервер ответил: { $status }
zip-no-body = Сервер не прислал архив
zip-no-document = Страница недоступна
