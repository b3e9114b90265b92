/** Named Message Framers (RFC 9622 §9.1.2.1) for taps property profiles. */
@NullMarked
package io.taps.spring.framer;

import org.jspecify.annotations.NullMarked;
