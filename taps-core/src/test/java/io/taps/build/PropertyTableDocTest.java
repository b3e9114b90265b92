package io.taps.build;

import static org.assertj.core.api.Assertions.assertThat;

import io.taps.properties.Property;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * docs/ARCHITECTURE.md has one table of every RFC 9622 property with how taps applies it or why it
 * is a deliberate no-op (issue 15): every property of {@link Property#all()} has its row, with its
 * checklist ID, and the table names no property that does not exist, so it cannot rot.
 */
class PropertyTableDocTest {
    private static final String SECTION = "## Every RFC 9622 property: how it is applied";
    private static final Pattern ROW = Pattern.compile("^\\| ([A-Z]+-\\d+) \\| `([^`]+)` [^|]*\\| ([^|]+)\\| ([^|]+)\\|$");

    private static List<String[]> rows() throws IOException {
        String doc = Files.readString(Path.of("../docs/ARCHITECTURE.md"));
        int start = doc.indexOf(SECTION);
        assertThat(start).as("section '%s' in docs/ARCHITECTURE.md", SECTION).isNotNegative();
        List<String[]> rows = new ArrayList<>();
        for (String line : doc.substring(start).split("\n")) {
            Matcher row = ROW.matcher(line.trim());
            if (row.matches()) {
                rows.add(new String[] {row.group(1), row.group(2), row.group(3).trim(), row.group(4).trim()});
            }
        }
        return rows;
    }

    @Test
    void everyPropertyHasOneRowWithItsIdAndHowItIsApplied() throws IOException {
        List<String[]> rows = rows();
        for (Property<?> property : Property.all()) {
            List<String[]> matching = rows.stream().filter(row -> row[1].equals(property.name())).toList();
            assertThat(matching).as("rows for %s", property.name()).hasSize(1);
            String[] row = matching.get(0);
            assertThat(row[0]).as("checklist ID of %s", property.name()).isEqualTo(property.referenceId());
            assertThat(row[2]).as("how %s is applied", property.name()).isNotBlank();
            assertThat(row[3]).as("what %s reads", property.name()).isNotBlank();
        }
    }

    @Test
    void theTableNamesOnlyPropertiesThatExist() throws IOException {
        for (String[] row : rows()) {
            assertThat(Property.find(row[1])).as("property %s of the table", row[1])
                    .hasValueSatisfying(property -> assertThat(property.name()).isEqualTo(row[1]));
        }
        assertThat(rows()).hasSize(Property.all().size());
    }
}
