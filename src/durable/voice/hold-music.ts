/** Hold music from Twilio's public sound library (what Twilio itself plays by default). */
export const DEFAULT_HOLD_MUSIC = "http://com.twilio.sounds.music.s3.amazonaws.com/MARKOVICHAMP-Borghestral.mp3";
