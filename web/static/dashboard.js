/* The results dashboard's charts: Plotly (served by /dashboard/plotly.min.js from the
   installed package) draws each figure from the numbers the page carries in #plots, the same
   numbers as its table. Nothing else happens here: the filters are a plain form, and the
   page reads in full without this script. */
(function () {
  "use strict";

  var CONFIG = {
    responsive: true,
    displaylogo: false,
    modeBarButtonsToRemove: ["select2d", "lasso2d", "autoScale2d", "toggleSpikelines"]
  };

  function draw() {
    var source = document.getElementById("plots");
    if (!source || !window.Plotly) {
      return;
    }
    var plots = JSON.parse(source.textContent);
    Object.keys(plots).forEach(function (name) {
      var node = document.getElementById("chart-" + name);
      if (!node) {
        return;
      }
      window.Plotly.newPlot(node, plots[name].data, plots[name].layout, CONFIG).then(function () {
        node.setAttribute("data-drawn", "true");
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
