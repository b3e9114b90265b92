package io.taps.spring.slice;

import org.springframework.stereotype.Service;

/** A component without taps methods: the slice must leave it out. */
@Service
class PlainService {
}
