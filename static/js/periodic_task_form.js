// The periodic task admin form: show a readable translation of the chosen crontab under
// its help text (django-celery-beat's inline script, served as a file for the CSP).
'use strict';
{
    const $ = django.jQuery;
    const script = document.getElementById('periodic-task-overrides');
    const readableCrontabs = JSON.parse(document.getElementById('readable-crontabs').textContent);
    const originalCrontabHelp = script.dataset.crontabHelp;

    $(function() {
        $('.field-crontab_translation').hide();
        $('.field-crontab').change(function() {
            const help = $('.field-crontab .help');
            help.text(originalCrontabHelp);
            help.append('<br>', document.createTextNode('Translation: ' + (readableCrontabs[$('#id_crontab').val()] || '')));
        });
    });
}
