// Tests for pilotstats/core/csv.hpp: RFC 4180 quoting, separators, line ends and errors.
#include <catch2/catch.hpp>

#include <string>

#include "pilotstats/core/csv.hpp"

using pilotstats::csv_options;
using pilotstats::csv_table;
using pilotstats::parse_csv;
using pilotstats::parse_error;
using Catch::Contains;

namespace {
const std::string data_dir = PILOTSTATS_TEST_DATA_DIR "/core/";
}

TEST_CASE("csv reads a header and rows", "[core][csv]") {
  const csv_table t = parse_csv("a,b,c\n1,2,3\n4,5,6\n", "x.csv");
  CHECK(t.source == "x.csv");
  CHECK(t.separator == ',');
  CHECK(t.header == std::vector<std::string>{"a", "b", "c"});
  REQUIRE(t.rows.size() == 2);
  CHECK(t.rows[1] == std::vector<std::string>{"4", "5", "6"});
  CHECK(t.row_line == std::vector<std::size_t>{2, 3});
  CHECK(t.column_index("c") == 2);
  CHECK(t.has_column("b"));
  CHECK_FALSE(t.has_column("d"));
}

TEST_CASE("csv final line break is optional and trailing blank lines are ignored", "[core][csv]") {
  for (const char* text : {"a,b\n1,2", "a,b\n1,2\n", "a,b\n1,2\n\n\n", "a,b\r\n1,2\r\n\r\n", "a,b\n1,2\n  \n"}) {
    INFO(text);
    const csv_table t = parse_csv(text);
    REQUIRE(t.rows.size() == 1);
    CHECK(t.rows[0] == std::vector<std::string>{"1", "2"});
  }
}

TEST_CASE("csv blank lines inside the file are skipped but lines are still counted", "[core][csv]") {
  const csv_table t = parse_csv("\na,b\n1,2\n\n3,4\n");
  CHECK(t.header_line == 2);
  CHECK(t.row_line == std::vector<std::size_t>{3, 5});
}

TEST_CASE("csv CRLF, LF and a lone CR end lines", "[core][csv]") {
  const csv_table crlf = parse_csv("a,b\r\n1,2\r\n3,4\r\n");
  const csv_table lf = parse_csv("a,b\n1,2\n3,4\n");
  const csv_table cr = parse_csv("a,b\r1,2\r3,4\r");
  CHECK(crlf.rows == lf.rows);
  CHECK(cr.rows == lf.rows);
  CHECK(crlf.row_line == lf.row_line);
  CHECK(crlf.header.back() == "b");  // no '\r' left on the last field
}

TEST_CASE("csv strips a UTF-8 byte-order mark", "[core][csv]") {
  const csv_table t = parse_csv("\xEF\xBB\xBF" "borough,month\nCamden,2016-01\n");
  CHECK(t.header[0] == "borough");
  CHECK(t.column_index("borough") == 0);
}

TEST_CASE("csv detects ';' from the header outside quotes", "[core][csv]") {
  CHECK(parse_csv("a;b;c\n1,5;2;3\n").separator == ';');
  CHECK(parse_csv("a;b;c\n1,5;2;3\n").rows[0][0] == "1,5");
  CHECK(parse_csv("a,b\n1;2,3\n").separator == ',');
  CHECK(parse_csv("\"x,y\";b\n1;2\n").separator == ';');  // the ',' is inside quotes
  CHECK(parse_csv("only\n1\n").separator == ',');
  CHECK(parse_csv("\n\na;b\n1;2\n").separator == ';');
}

TEST_CASE("csv explicit separator overrides detection", "[core][csv]") {
  csv_options o;
  o.separator = ';';
  const csv_table t = parse_csv("a,b;c\n1,2;3\n", "<input>", o);
  CHECK(t.header == std::vector<std::string>{"a,b", "c"});
  o.separator = '\t';
  const csv_table tab = parse_csv("a\tb\n1\t\n", "<input>", o);
  CHECK(tab.header == std::vector<std::string>{"a", "b"});
  CHECK(tab.rows[0] == std::vector<std::string>{"1", ""});
  REQUIRE_THROWS_WITH(parse_csv("a\tb\n1\t\t\n", "t.tsv", o), Contains("t.tsv:2:3") && Contains("expected 2 fields"));
  o.separator = '"';
  CHECK_THROWS_AS(parse_csv("a\n", "<input>", o), pilotstats::invalid_input);
}

TEST_CASE("csv quoted fields: doubled quotes, separators and line breaks", "[core][csv]") {
  const csv_table t = parse_csv(
      "name,note,n\n"
      "\"Kensington, Chelsea\",\"said \"\"hi\"\"\",1\n"
      "\"Two\nlines\",\"\",2\n"
      "\"CR\r\nLF\",x,3\n"
      "after,\"\",4\n");
  REQUIRE(t.rows.size() == 4);
  CHECK(t.rows[0][0] == "Kensington, Chelsea");
  CHECK(t.rows[0][1] == "said \"hi\"");
  CHECK(t.rows[1][0] == "Two\nlines");
  CHECK(t.rows[1][1].empty());
  CHECK(t.rows[2][0] == "CR\nLF");
  CHECK(t.row_line == std::vector<std::size_t>{2, 3, 5, 7});  // records after multi-line fields
}

TEST_CASE("csv trims spaces around unquoted fields and around quotes", "[core][csv]") {
  const csv_table t = parse_csv("a , b\n  1.5 ,  \" x \"  \n");
  CHECK(t.header == std::vector<std::string>{"a", "b"});
  CHECK(t.rows[0] == std::vector<std::string>{"1.5", " x "});
}

TEST_CASE("csv a quote inside an unquoted field is an ordinary character", "[core][csv]") {
  CHECK(parse_csv("h\n5'10\"\n").rows[0][0] == "5'10\"");
}

TEST_CASE("csv header only is a table with no rows", "[core][csv]") {
  const csv_table t = parse_csv("a,b\n");
  CHECK(t.header.size() == 2);
  CHECK(t.rows.empty());
}

TEST_CASE("csv errors say file, line, column and what was expected", "[core][csv]") {
  SECTION("no header") {
    REQUIRE_THROWS_AS(parse_csv("", "empty.csv"), parse_error);
    REQUIRE_THROWS_WITH(parse_csv("", "empty.csv"), Contains("empty.csv:1") && Contains("empty") &&
                                                        Contains("expected a header line"));
    REQUIRE_THROWS_WITH(parse_csv("\xEF\xBB\xBF\n\r\n", "bom.csv"), Contains("bom.csv:1") && Contains("header"));
  }
  SECTION("ragged rows") {
    REQUIRE_THROWS_WITH(parse_csv("a,b,c\n1,2,3\n1,2\n", "r.csv"),
                        Contains("r.csv:3:3") && Contains("expected 3 fields") && Contains("found 2"));
    REQUIRE_THROWS_WITH(parse_csv("a,b\n1,2,3,4\n", "r.csv"),
                        Contains("r.csv:2:3") && Contains("expected 2 fields") && Contains("found 4"));
  }
  SECTION("unterminated quote names the line where it starts") {
    try {
      parse_csv("a,b\n1,2\n3,\"never\nclosed\n", "q.csv");
      FAIL("no exception");
    } catch (const parse_error& e) {
      CHECK(e.source() == "q.csv");
      CHECK(e.line() == 3);
      CHECK(e.column() == 2);
      CHECK_THAT(e.what(), Contains("q.csv:3:2") && Contains("unterminated quoted field"));
    }
  }
  SECTION("junk after a closing quote") {
    REQUIRE_THROWS_WITH(parse_csv("a,b\n\"x\"y,2\n", "j.csv"),
                        Contains("j.csv:2:1") && Contains("after a closing quote") && Contains("'y'"));
  }
  SECTION("duplicate header names") {
    REQUIRE_THROWS_WITH(parse_csv("month,borough,month\n", "d.csv"),
                        Contains("d.csv:1:3") && Contains("duplicate column name 'month'") &&
                            Contains("also column 1"));
  }
  SECTION("missing column lists the header") {
    const csv_table t = parse_csv("borough,month,calls\n", "h.csv");
    REQUIRE_THROWS_AS(t.column_index("unit"), parse_error);
    REQUIRE_THROWS_WITH(t.column_index("unit"), Contains("h.csv:1") && Contains("no column 'unit'") &&
                                                    Contains("the header has: borough, month, calls"));
  }
}

TEST_CASE("read_csv reads a file and names it in errors", "[core][csv]") {
  const csv_table t = pilotstats::read_csv(data_dir + "london_small.csv");
  CHECK(t.source == data_dir + "london_small.csv");
  CHECK(t.header.size() == 7);
  CHECK(t.rows.size() == 22);

  const csv_table s = pilotstats::read_csv(data_dir + "london_small_semicolon.csv");
  CHECK(s.separator == ';');
  CHECK(s.header == t.header);
  CHECK(s.rows == t.rows);

  const std::string missing = data_dir + "no_such_file.csv";
  REQUIRE_THROWS_AS(pilotstats::read_csv(missing), pilotstats::invalid_input);
  REQUIRE_THROWS_WITH(pilotstats::read_csv(missing),
                      Contains(missing) && Contains("cannot open") && Contains("No such file"));
  REQUIRE_THROWS_WITH(pilotstats::read_csv(data_dir), Contains("cannot open") && Contains("directory"));
}
