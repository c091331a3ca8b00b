/* The record page's sync banner stays at the top of the screen while the inspector
 * scrolls.  The page keeps the banner's height free at the top of whatever the browser
 * scrolls to (a focused check box, a field with an error, a jump to a section), so the
 * banner never lies over the box the inspector is about to tap; the height follows the
 * banner when a longer message wraps onto a second line. */
(function () {
  "use strict";
  var banner = document.getElementById("sync-status");
  if (!banner) { return; }
  var root = document.documentElement;
  function reserve() { root.style.scrollPaddingTop = (banner.offsetHeight + 12) + "px"; }
  reserve();
  if (window.ResizeObserver) { new ResizeObserver(reserve).observe(banner); }
}());
