// MathJax 3 for pymdownx.arithmatex (generic mode): typesets the \(...\) and
// \[...\] spans arithmatex leaves in elements of class "arithmatex".
// The macros are those of the layer docstrings (Spektral's notation):
// bold matrices and vectors. \S, \L and \b are redefined on purpose (in plain
// LaTeX they are §, Ł and a bar accent).
window.MathJax = {
  tex: {
    inlineMath: [["\\(", "\\)"]],
    displayMath: [["\\[", "\\]"]],
    processEscapes: true,
    processEnvironments: true,
    macros: {
      A: "\\mathbf{A}",
      B: "\\mathbf{B}",
      D: "\\mathbf{D}",
      E: "\\mathbf{E}",
      I: "\\mathbf{I}",
      L: "\\mathbf{L}",
      M: "\\mathbf{M}",
      S: "\\mathbf{S}",
      W: "\\mathbf{W}",
      X: "\\mathbf{X}",
      Z: "\\mathbf{Z}",
      a: "\\mathbf{a}",
      b: "\\mathbf{b}",
      s: "\\mathbf{s}",
      x: "\\mathbf{x}",
      z: "\\mathbf{z}",
    },
  },
  options: {
    ignoreHtmlClass: ".*|",
    processHtmlClass: "arithmatex",
  },
};

// Material's instant navigation replaces the page without reloading MathJax:
// typeset again on every page change.
document$.subscribe(() => {
  MathJax.startup.output.clearCache();
  MathJax.typesetClear();
  MathJax.texReset();
  MathJax.typesetPromise();
});
