(function () {
  var marked = document.querySelectorAll('[data-addr]');
  function mark(e, on) {
    var addr = e.getAttribute('data-addr');
    var scope = e.closest('[data-host]') || document.body;
    scope.querySelectorAll('[data-addr]').forEach(function (x) {
      if (x.getAttribute('data-addr') === addr) { x.classList.toggle('hl', on); }
    });
  }
  marked.forEach(function (e) {
    e.addEventListener('mouseenter', function () { mark(e, true); });
    e.addEventListener('mouseleave', function () { mark(e, false); });
  });
  var hides = document.querySelectorAll('input.hide-ok');
  hides.forEach(function (hide) {
    hide.addEventListener('change', function () {
      document.body.classList.toggle('hide-ok', hide.checked);
      hides.forEach(function (other) { other.checked = hide.checked; });
    });
  });
  document.body.dataset.ready = 'yes';
})();
