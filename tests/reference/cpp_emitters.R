# tests/reference/cpp_emitters.R: writes R values as C++ declarations for the generated
# reference headers (17 significant digits; NA as quiet_NaN; matrices row-major).
# Sourced by glm_reference.R and its_diagnostics_reference.R.
fmt <- function(x) ifelse(is.na(x), "std::numeric_limits<double>::quiet_NaN()",
                          sprintf("%.17g", x))
comment <- function(...) if (length(c(...))) paste0("  // ", c(...)) else character()
wrap <- function(vals, per = 4) {
  if (!length(vals)) return("")
  paste0("      ", vapply(split(vals, ceiling(seq_along(vals) / per)), paste, "",
                          collapse = ", "), collapse = ",\n")
}
cpp_dvec <- function(name, x, ...) c(comment(...),
  sprintf("  inline const std::vector<double> %s = {\n%s};", name, wrap(fmt(as.vector(x)))))
cpp_mat <- function(name, m, ...) {           # row-major
  m <- as.matrix(m)
  c(comment(sprintf("%d x %d, row-major", nrow(m), ncol(m)), ...),
    sprintf("  inline const std::vector<double> %s = {\n%s};", name,
            wrap(fmt(as.vector(t(m))), per = ncol(m))))
}
cpp_scalar <- function(name, x, ...) c(comment(...),
  sprintf("  inline constexpr double %s = %s;", name, fmt(unname(x))))
cpp_int <- function(name, x, ...) c(comment(...), sprintf("  inline constexpr int %s = %d;", name, as.integer(x)))
cpp_size <- function(name, x, ...) c(comment(...), sprintf("  inline constexpr std::size_t %s = %d;", name, as.integer(x)))
cpp_bool <- function(name, x, ...) c(comment(...), sprintf("  inline constexpr bool %s = %s;", name, if (isTRUE(x)) "true" else "false"))
cpp_str <- function(name, s, ...) c(comment(...),
  sprintf("  inline const std::string %s = \"%s\";", name, gsub("\"", "\\\\\"", s)))
cpp_svec <- function(name, s, ...) c(comment(...),
  sprintf("  inline const std::vector<std::string> %s = {%s};", name,
          paste0("\"", gsub("\"", "\\\\\"", s), "\"", collapse = ", ")))

