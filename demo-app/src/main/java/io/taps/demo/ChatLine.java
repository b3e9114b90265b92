package io.taps.demo;

/**
 * One chat line, the typed payload of the chat listener: sent and read as JSON
 * ({@code {"from":"demo-client","text":"hello #1"}}) through the taps message converters, because
 * the {@code chat} profile's content type is {@code application/json}.
 *
 * @param from who says it
 * @param text what is said
 */
public record ChatLine(String from, String text) {
}
