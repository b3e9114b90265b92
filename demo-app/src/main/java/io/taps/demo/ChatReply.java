package io.taps.demo;

/**
 * The chat listener's answer to a {@link ChatLine}, as JSON
 * ({@code {"to":"demo-client","heard":"hello #1","by":"taps-demo"}}).
 *
 * @param to    who said the line
 * @param heard the line's text
 * @param by    who answers
 */
public record ChatReply(String to, String heard, String by) {
}
